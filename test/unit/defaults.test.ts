import { describe, expect, it } from 'vitest';
import { defaultAgentSocket, WINDOWS_OPENSSH_AGENT_PIPE } from '../../src/defaults.js';

describe("the agent OpenSSH uses when nothing names one", () => {
  it('is SSH_AUTH_SOCK where it is set, on every platform', () => {
    expect(defaultAgentSocket({ SSH_AUTH_SOCK: '/run/user/1000/agent' }, 'linux')).toBe('/run/user/1000/agent');
    expect(defaultAgentSocket({ SSH_AUTH_SOCK: '/tmp/agent' }, 'win32')).toBe('/tmp/agent');
  });

  it("is Windows' OpenSSH agent pipe on Windows without SSH_AUTH_SOCK, and none elsewhere", () => {
    expect(defaultAgentSocket({}, 'win32')).toBe(WINDOWS_OPENSSH_AGENT_PIPE);
    expect(WINDOWS_OPENSSH_AGENT_PIPE).toBe(String.raw`\\.\pipe\openssh-ssh-agent`);
    expect(defaultAgentSocket({ SSH_AUTH_SOCK: '' }, 'linux')).toBeUndefined();
  });
});
