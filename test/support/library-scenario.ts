import type { GatewayProcess } from './gateway-process.js';
import type { Library } from './library.js';

/**
 * Ends a scenario played through a gateway in front of the library: the shelf
 * answers what it still holds and answers at once again, and the scenario's
 * gateway, if it started one, is stopped. The caller then forgets its gateway.
 */
export async function endLibraryScenario(library: Library, gateway: GatewayProcess | undefined): Promise<void> {
  library.shelf.release();
  library.shelf.mode = 'ok';
  await gateway?.stop();
}
