import { describeShapes } from './suite.js';

/** The conformance suite on the books shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['books']);
