import { describeShapes } from './suite.js';

/** The conformance suite on the deep shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['deep']);
