/**
 * Render-CPU benchmark of the live view: what drawing the fleet costs, apart from auditing it.
 *
 * For each fleet size N it runs two child processes that replay the same simulated run in real time —
 * N hosts started at a fixed rate with about `concurrency` in flight, each going connecting → probing →
 * done with a HostReport built from the demo captures (parseCapture + classifyHost, names made unique, a
 * few failures) — and measure process CPU time (user + system) from the first event to the end:
 *   view      the events go into `startLiveView` on a fake 120×40 TTY (frame timer and Ink for real,
 *             keys read from a fake TTY stdin; `q` after the run, then `finish()`)
 *   baseline  the same events into a no-op subscriber
 * The difference is the view's CPU. It is set against the audit's own CPU per host (`--audit-ms-per-host`,
 * 6.6 ms measured by `npm run bench`) to give the view's share of the run's CPU.
 *
 * Usage: node --import tsx bench/renderBench.ts [--hosts 100,1000,5000] [--rate 150] [--concurrency 32]
 *                                              [--frame-ms 100] [--rounds 1] [--audit-ms-per-host 6.6]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { classifyHost } from '../src/classify/index.js';
import { loadDemoEntries } from '../src/demo/fleet.js';
import type { HostAudit, HostReport, RunEvent } from '../src/model.js';
import { parseCapture } from '../src/parse/index.js';
import { buildFleetReport } from '../src/report/build.js';
import { startLiveView } from '../src/ui/liveView.js';
import { FakeStdin, FakeStdout } from '../test/helpers/fakeTerminal.js';
import { tsChild } from './tsChild.js';

interface ChildFigures {
  mode: 'view' | 'baseline';
  hosts: number;
  wallMs: number;
  cpuMs: number;
  frames: number;
  writes: number;
  bytes: number;
  events: number;
}

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '100,1000,5000' },
    rate: { type: 'string', default: '150' },
    concurrency: { type: 'string', default: '32' },
    'frame-ms': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '1' },
    'audit-ms-per-host': { type: 'string', default: '6.6' },
    child: { type: 'string' },
    mode: { type: 'string' },
  },
});
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);
const frameMs = Number(values['frame-ms']);


// ───────────────────────────── parent: run the children, print the table ─────────────────────────────

async function runParent(): Promise<void> {
  const sizes = String(values.hosts).split(',').map(Number).filter((n) => n > 0);
  const rounds = Math.max(1, Number(values.rounds));
  const auditMsPerHost = Number(values['audit-ms-per-host']);
  process.stdout.write(
    `kvm-netaudit render bench: fake TTY 120×40, ${rate} hosts/s, ~${concurrency} in flight, frame ${frameMs} ms, best of ${rounds}\n`,
  );
  const header = ['hosts', 'run s', 'view CPU', 'base CPU', 'UI CPU', 'UI/host', 'frames', 'UI/frame', 'out KiB', 'UI share'];
  process.stdout.write(`${header.map((h, i) => (i === 0 ? h.padStart(6) : h.padStart(10))).join(' ')}\n`);
  for (const hosts of sizes) {
    const runs: ChildFigures[] = [];
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so neither mode always runs on a warmer machine.
      const order: ('view' | 'baseline')[] = round % 2 === 0 ? ['baseline', 'view'] : ['view', 'baseline'];
      for (const mode of order) runs.push(await spawnChild(hosts, mode));
    }
    const best = (mode: string) => runs.filter((r) => r.mode === mode).sort((a, b) => a.cpuMs - b.cpuMs)[0]!;
    const view = best('view');
    const base = best('baseline');
    const uiMs = Math.max(0, view.cpuMs - base.cpuMs);
    const auditMs = auditMsPerHost * hosts;
    const cells = [
      String(hosts).padStart(6),
      (view.wallMs / 1000).toFixed(1),
      `${view.cpuMs.toFixed(0)} ms`,
      `${base.cpuMs.toFixed(0)} ms`,
      `${uiMs.toFixed(0)} ms`,
      `${(uiMs / hosts).toFixed(3)} ms`,
      String(view.frames),
      `${(uiMs / Math.max(1, view.frames)).toFixed(2)} ms`,
      (view.bytes / 1024).toFixed(0),
      `${((100 * uiMs) / (uiMs + auditMs)).toFixed(1)} %`,
    ];
    process.stdout.write(`${cells.map((c, i) => (i === 0 ? c : c.padStart(10))).join(' ')}\n`);
  }
  process.stdout.write(
    `UI share = UI CPU / (UI CPU + ${auditMsPerHost} ms × hosts of audit CPU); UI CPU = view CPU − baseline CPU, same events, same timing.\n`,
  );
}

function spawnChild(hosts: number, mode: 'view' | 'baseline'): Promise<ChildFigures> {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '1' };
  // Ink draws only the last frame when it believes it runs in CI: the bench must see every frame.
  delete env['CI'];
  delete env['CONTINUOUS_INTEGRATION'];
  const args = tsChild('renderBench.ts', '--child', String(hosts), '--mode', mode);
  args.push('--rate', String(rate), '--concurrency', String(concurrency), '--frame-ms', String(frameMs));
  return new Promise((resolve, reject) => {
    // stderr is kept back (Ink restores the cursor there on exit) and shown only when the child fails.
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${mode} child for ${hosts} hosts exited ${code}\n${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildFigures);
    });
  });
}

// ───────────────────────────── child: one simulated run ─────────────────────────────

/** HostReports for N hosts from the demo captures, with unique names and a few failures. */
async function buildReports(hosts: number): Promise<HostReport[]> {
  const templates: { name: string; groups: string[]; audit: HostAudit }[] = [];
  for (const { entry, capture } of await loadDemoEntries()) {
    templates.push({ name: entry.name, groups: entry.groups, audit: classifyHost(parseCapture(capture), { uplinkInterfaces: entry.uplinkInterfaces }) });
  }
  const reports: HostReport[] = [];
  for (let i = 0; i < hosts; i++) {
    const template = templates[i % templates.length]!;
    const name = `${template.name}-${String(i).padStart(5, '0')}`;
    const base = { name, address: '198.18.0.1', groups: template.groups, durationMs: 0, findings: [] };
    if (i % 97 === 96) {
      reports.push({ ...base, ...emptyAudit(template.audit), status: 'failed', error: { kind: 'timeout', message: 'no answer within 30 s (--timeout)' } });
    } else if (i % 211 === 210) {
      reports.push({ ...base, ...emptyAudit(template.audit), status: 'failed', error: { kind: 'auth', message: 'authentication failed (tried publickey)' } });
    } else {
      reports.push({ ...base, ...template.audit, status: 'ok', error: null });
    }
  }
  return reports;
}

/** What a failed host reports: the audit's shape with nothing in it. */
function emptyAudit(shape: HostAudit): HostAudit {
  return { ...shape, networks: [], bridges: [], vms: [], modes: [], verdict: '', warnings: [] };
}

interface Scheduled {
  atMs: number;
  event: (now: number) => RunEvent;
}

/** The run as a timetable: host i starts at i / rate and takes about concurrency / rate seconds. */
function timetable(reports: HostReport[]): Scheduled[] {
  const spanMs = (concurrency / rate) * 1000;
  const items: Scheduled[] = [];
  reports.forEach((report, i) => {
    const start = (i / rate) * 1000;
    // A little spread, so hosts do not finish in lockstep.
    const duration = spanMs * (0.7 + 0.6 * (((i * 7919) % 100) / 100));
    items.push({ atMs: start, event: (at) => ({ type: 'host-connecting', at, host: report.name }) });
    items.push({ atMs: start + duration * 0.3, event: (at) => ({ type: 'host-probing', at, host: report.name }) });
    items.push({
      atMs: start + duration,
      event: (at) => ({ type: 'host-done', at, host: report.name, report: { ...report, durationMs: Math.round(duration) } }),
    });
  });
  return items.sort((a, b) => a.atMs - b.atMs);
}

async function runChild(hosts: number, mode: 'view' | 'baseline'): Promise<ChildFigures> {
  const reports = await buildReports(hosts);
  const schedule = timetable(reports);
  const finalReport = buildFleetReport({
    hosts: reports,
    startedAt: new Date(),
    finishedAt: new Date(),
    inventory: '(render bench)',
    concurrency,
    complete: true,
    version: 'bench',
  });

  const listeners = new Set<(event: RunEvent) => void>();
  const subscribe = (listener: (event: RunEvent) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const emit = (event: RunEvent) => {
    for (const listener of listeners) listener(event);
  };

  // A 120×40 TTY that swallows output (counting it), and a keyboard with one key typed by hand (`q` at the end).
  const terminal = new FakeStdout(120, 40, true, false);
  const keyboard = new FakeStdin(true);
  let frames = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const view =
    mode === 'view'
      ? startLiveView({
          subscribe,
          inventory: '(render bench)',
          onInterrupt: () => {},
          onReaudit: () => {},
          stdout: terminal.asStream(),
          stdin: keyboard.asStream(),
          frameMs,
          patchConsole: false,
          onFrame: () => frames++,
        })
      : null;
  if (!view) subscribe(() => {});

  let events = 0;
  emit({ type: 'run-started', at: Date.now(), total: hosts, concurrency, hosts: reports.map((r) => ({ name: r.name, groups: r.groups })) });
  await new Promise<void>((resolve) => {
    let next = 0;
    // Feed what is due every 5 ms, like the runner's events arriving from the network.
    const timer = setInterval(() => {
      const elapsed = performance.now() - t0;
      const now = Date.now();
      while (next < schedule.length && schedule[next]!.atMs <= elapsed) {
        emit(schedule[next]!.event(now));
        next++;
        events++;
      }
      if (next >= schedule.length) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  emit({ type: 'run-finished', at: Date.now(), report: finalReport });
  if (view) {
    // Let the frame timer draw the finished run, then quit as an operator would.
    await new Promise((resolve) => setTimeout(resolve, frameMs * 2));
    keyboard.type('q');
    // A real stdin keeps the process alive while the view waits; this fake one does not.
    const keepAlive = setInterval(() => {}, 1000);
    await view.waitForQuit();
    clearInterval(keepAlive);
    view.setReportPaths(['reports/bench/report.json', 'reports/bench/report.md']);
    await view.finish();
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    mode,
    hosts,
    wallMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    frames,
    writes: terminal.writeCount,
    bytes: terminal.bytes,
    events,
  };
}

// ───────────────────────────── entry point (last: the classes above must exist first) ─────────────────────────────

if (values.child !== undefined) {
  const figures = await runChild(Number(values.child), values.mode === 'view' ? 'view' : 'baseline');
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  // The view unrefs its timers; nothing else should keep the child alive, but do not wait to find out.
  process.exit(0);
} else {
  await runParent();
}
