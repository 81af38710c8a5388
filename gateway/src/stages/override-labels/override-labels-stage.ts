import type { GatewaySettings } from '#lib/env.js';
import { overrideLabelSettings, requestedLabels } from '#gateway/execution/override-labels.js';
import type { Stage } from '#gateway/pipeline/stage.js';

/**
 * Which progressive @override labels a request activates: those on for every
 * request, for its client, or named in its header (execution/override-labels.ts).
 * Refuses nothing.
 */
export function overrideLabelsStage(settings: GatewaySettings['overrideLabels']): Stage {
  const labels = overrideLabelSettings({
    OVERRIDE_LABELS: settings.always,
    OVERRIDE_LABEL_CLIENTS: settings.clients,
    OVERRIDE_LABEL_HEADER: settings.header,
  });
  return {
    name: 'override-labels',
    onOperation(operation) {
      const { identity, req } = operation.request;
      operation.overrideLabels = requestedLabels(labels, identity, req.headers);
      return undefined;
    },
  };
}
