import { describeShapes } from './suite.js';
import { ours } from './shapes/ours.js';

/** The conformance suite on Junction's own supergraph (shapes/ours.ts): Junction's executor against stock @apollo/gateway. */
describeShapes([], [ours]);
