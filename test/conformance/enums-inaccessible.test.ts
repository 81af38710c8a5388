import { describeShapes } from './suite.js';

/** The conformance suite on the enums-inaccessible shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['enums-inaccessible']);
