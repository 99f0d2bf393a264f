import { describe, expect, it } from 'vitest';
import { createFleetConnector } from '../../../src/transport/fleetConnector.js';
import { hostConfig, rejectionOf } from '../../helpers/sshFixtures.js';

describe('the fleet connector', () => {
  it('fails a host its source marks as unusable with kind config, before resolving or connecting anything', async () => {
    let resolved = 0;
    const connector = createFleetConnector({
      transport: null,
      hostKeyPolicy: null,
      connectTimeoutMs: null,
      defaultConnectTimeoutMs: 1_000,
      knownHostsOverride: null,
      resolver: {
        async resolve(host) {
          resolved++;
          return { host, fromConfig: new Set(), resolvedBy: null, files: [] };
        },
      },
      warn: () => {},
    });
    const host = { ...hostConfig({ port: 9, name: 'localhost' }), unusable: 'ansible_connection=local: kvm-netaudit audits hosts over SSH only (ssh or paramiko)' };
    const error = await rejectionOf(connector.connect(host, {}));
    expect([error.kind, error.message]).toEqual(['config', 'localhost: ansible_connection=local: kvm-netaudit audits hosts over SSH only (ssh or paramiko)']);
    expect(resolved).toBe(0);
    await connector.close();
  });
});
