import { describeShapes } from './suite.js';

/** The conformance suite on the mutations shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['mutations']);
