import { describeShapes } from './suite.js';

/** The conformance suite on the abstract-types shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['abstract-types']);
