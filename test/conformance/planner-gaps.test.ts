import { describeShapes } from './suite.js';

/** The conformance suite on shapes where the query planner cannot answer (shapes/planner-gaps.ts): Junction must say so. */
describeShapes(['keys-mashup', 'non-resolvable-interface-object']);
