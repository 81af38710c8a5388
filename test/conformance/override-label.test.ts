import { describeShapes } from './suite.js';

/** The conformance suite on the override-label shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['override-label']);
