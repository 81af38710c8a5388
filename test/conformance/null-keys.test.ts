import { describeShapes } from './suite.js';

/** The conformance suite on the null-keys shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['null-keys']);
