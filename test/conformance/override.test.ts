import { describeShapes } from './suite.js';

/** The conformance suite on the override shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['override']);
