import { describeShapes } from './suite.js';

/** The conformance suite on the shop shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['shop']);
