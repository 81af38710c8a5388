import { describeShapes } from './suite.js';

/** The conformance suite on the requires-provides shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['requires-provides']);
