/** Reading policy files: the I/O half of `policy/load.ts` `mergePolicies`, which is pure. */
import { readFileSync } from 'node:fs';
import { BASELINE_SOURCE, mergePolicies, PolicyError, type Policy, type PolicyLoadOptions, type PolicyText } from '../policy/index.js';

/**
 * Read one or more policies and merge them: rules and waivers are concatenated in order (the baseline's
 * rules first), baseline settings are united.
 * @param specs paths of policy files, and/or `builtin:baseline`.
 * @throws PolicyError listing every problem (the CLI exits 64).
 * @example loadPolicy(['builtin:baseline', 'policy.yaml'], { knownGroups: ['prod', 'dmz'] })
 */
export function loadPolicy(specs: string | readonly string[], options: PolicyLoadOptions = {}): Policy {
  const list = typeof specs === 'string' ? [specs] : specs;
  const problems: string[] = [];
  const sources: (PolicyText | typeof BASELINE_SOURCE)[] = [];
  for (const spec of list) {
    if (spec === BASELINE_SOURCE) {
      sources.push(BASELINE_SOURCE);
    } else if (spec.startsWith('builtin:')) {
      problems.push(`${spec}: no such built-in policy (there is ${BASELINE_SOURCE})`);
    } else {
      try {
        sources.push({ file: spec, text: readFileSync(spec, 'utf8') });
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
        problems.push(`${spec}: cannot read the policy: ${reason}`);
      }
    }
  }
  if (problems.length > 0) throw new PolicyError(problems);
  return mergePolicies(sources, options);
}
