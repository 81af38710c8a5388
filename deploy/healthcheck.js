// The image's HEALTHCHECK: GET /health on this container's Junction process,
// exit 0 if it answers 200. Plain JavaScript so that it starts fast (no tsx).
// It probes PORT when set (docker-compose.yml and deploy/k8s set it), else each
// service's default port in turn: a container runs only one of them.
const DEFAULT_PORTS = ['4000', '4001', '4002', '4003', '4004'];

const ports = process.env.PORT ? [process.env.PORT] : DEFAULT_PORTS;
for (const port of ports) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
    if (response.ok) process.exit(0);
  } catch {
    // Nothing on that port: try the next.
  }
}
process.exit(1);
