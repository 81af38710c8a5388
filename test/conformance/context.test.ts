import { describeShapes } from './suite.js';

/** The conformance suite on the context shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['context']);
