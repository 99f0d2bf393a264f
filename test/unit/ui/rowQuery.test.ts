import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/model.js';
import { initialFleetState, reduceFleet, type FleetState } from '../../../src/ui/fleetState.js';
import { nextSort, orderRows, parseFilter, type RowQuery } from '../../../src/ui/rowQuery.js';
import { connecting, done, failedHost, hostReport, network, runStartedWith, T0, vm } from './builders.js';

function fold(events: RunEvent[]): FleetState {
  return events.reduce(reduceFleet, initialFleetState());
}

/** A small fleet with one host of every kind the filters and sorts tell apart. */
const fleet = fold([
  runStartedWith([
    { name: 'hv-10', groups: ['prod'] },
    { name: 'hv-2', groups: ['lab'] },
    { name: 'hv-dead', groups: ['prod', 'dmz'] },
    { name: 'hv-busy', groups: ['lab'] },
    { name: 'hv-later', groups: [] },
    { name: 'hv-half', groups: ['dmz'] },
  ]),
  done(hostReport('hv-10', { durationMs: 900, vms: [vm('a', ['bridged', 'bridged', 'nat'])] }), T0 + 900),
  done(hostReport('hv-2', { durationMs: 300, networks: [network('iso', 'isolated')], vms: [vm('b', ['nat'])] }), T0 + 300),
  done(failedHost('hv-dead', 'timeout', 'no answer', 30_000), T0 + 30_000),
  connecting('hv-busy', T0 + 1000),
  done(hostReport('hv-half', { status: 'partial', durationMs: 1200, vms: [vm('c', ['macvtap'])] }), T0 + 1200),
]);

function names(query: Partial<RowQuery>, now = T0 + 40_000): string[] {
  return orderRows(fleet, { sort: 'name', filter: '', problemsOnly: false, ...query }, now).map((r) => r.name);
}

describe('parseFilter', () => {
  it('splits words into terms, with fields, negation and lower case', () => {
    expect(parseFilter('  Mode:Bridged !group:lab hv-0*  ')).toEqual([
      { field: 'mode', value: 'bridged', negated: false },
      { field: 'group', value: 'lab', negated: true },
      { field: null, value: 'hv-0*', negated: false },
    ]);
  });

  it('reads an unknown field as a plain word and drops empty terms', () => {
    expect(parseFilter('colour:red status: !')).toEqual([{ field: null, value: 'colour:red', negated: false }]);
  });
});

describe('orderRows filtering', () => {
  it('keeps hosts with a VM NIC or a network in the mode asked for', () => {
    expect(names({ filter: 'mode:bridged' })).toEqual(['hv-10']);
    expect(names({ filter: 'mode:isolated' })).toEqual(['hv-2']);
    expect(names({ filter: 'mode:nat' })).toEqual(['hv-2', 'hv-10']);
  });

  it('matches status words: outcome, phase, in-flight and the error kind', () => {
    expect(names({ filter: 'status:failed' })).toEqual(['hv-dead']);
    expect(names({ filter: 'status:timeout' })).toEqual(['hv-dead']);
    expect(names({ filter: 'status:in-flight' })).toEqual(['hv-busy']);
    expect(names({ filter: 'status:queued' })).toEqual(['hv-later']);
    expect(names({ filter: 'status:partial' })).toEqual(['hv-half']);
  });

  it('matches a plain word anywhere in the name or a group, and globs as a whole', () => {
    expect(names({ filter: 'dmz' })).toEqual(['hv-dead', 'hv-half']);
    expect(names({ filter: 'hv-?' })).toEqual(['hv-2']);
    expect(names({ filter: 'name:hv-1*' })).toEqual(['hv-10']);
    // classes and braces as in a shell, any case; a brace group not closed yet (still being typed) matches nothing
    expect(names({ filter: 'name:HV-[12]{,0}' })).toEqual(['hv-2', 'hv-10']);
    expect(names({ filter: 'name:hv-{2' })).toEqual([]);
  });

  it('needs every term to match, and a negated term not to', () => {
    expect(names({ filter: 'group:prod !status:failed' })).toEqual(['hv-10']);
    expect(names({ filter: 'group:lab mode:nat' })).toEqual(['hv-2']);
  });

  it('keeps only failed and partial hosts when asked', () => {
    expect(names({ problemsOnly: true })).toEqual(['hv-dead', 'hv-half']);
    expect(names({ problemsOnly: true, filter: 'dmz !status:partial' })).toEqual(['hv-dead']);
  });
});

describe('orderRows sorting', () => {
  it('sorts names naturally (hv-2 before hv-10)', () => {
    expect(names({ sort: 'name' })).toEqual(['hv-2', 'hv-10', 'hv-busy', 'hv-dead', 'hv-half', 'hv-later']);
  });

  it('sorts by status: in flight, failed, partial, ok, queued, each in inventory order', () => {
    expect(names({ sort: 'status' })).toEqual(['hv-busy', 'hv-dead', 'hv-half', 'hv-10', 'hv-2', 'hv-later']);
  });

  it('sorts by duration, slowest first, counting the time of hosts still in flight', () => {
    // hv-busy has been in flight for 39 s at this moment: slower than the 30 s timeout
    expect(names({ sort: 'duration' }, T0 + 40_000)).toEqual(['hv-busy', 'hv-dead', 'hv-half', 'hv-10', 'hv-2', 'hv-later']);
    expect(names({ sort: 'duration' }, T0 + 1_500)[0]).toBe('hv-dead');
  });

  it('sorts by the mode most NICs use, hosts without facts last', () => {
    // nat ranks before bridged, bridged before macvtap in the vocabulary
    expect(names({ sort: 'mode' })).toEqual(['hv-2', 'hv-10', 'hv-half', 'hv-busy', 'hv-dead', 'hv-later']);
  });

  it('cycles through the four orders', () => {
    expect(['status', nextSort('status'), nextSort(nextSort('status')), nextSort(nextSort(nextSort('status')))]).toEqual(['status', 'name', 'duration', 'mode']);
    expect(nextSort('mode')).toBe('status');
  });
});
