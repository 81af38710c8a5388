import { describeShapes } from './suite.js';

/** The conformance suite on the interface-objects shape (shapes/): Junction's executor against stock @apollo/gateway. */
describeShapes(['interface-objects']);
