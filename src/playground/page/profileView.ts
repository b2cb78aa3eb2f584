// Profiling in the page: the program runs under Pyodide's sampler (pyscope/pyodide's
// PyodideProfileRun), and its flame graph, the same self-contained page `pyscope record` writes,
// is shown in a frame under the editor, with the profile to download in record's formats.
import type { Profile } from '../../profile/model.js';
import { collapsed } from '../../profile/output/collapsed.js';
import { flamegraph } from '../../profile/output/flamegraph.js';
import { speedscope } from '../../profile/output/speedscope.js';
import { PyodideProfileRun, type ProfileRunResult } from '../../web/profileSession.js';
import type { WorkerHandle } from '../../web/index.js';
import { $, log, setStatus } from './dom.js';
import type { Editor } from './editor.js';

export interface ProfileViewOptions {
  editor: Editor;
  nextWorker: () => WorkerHandle;
  profilerSource: string;
  program: string;
  onActive: (active: boolean) => void;
  showTab: (tab: 'console' | 'profile') => void;
}

export class ProfileView {
  private run: PyodideProfileRun | null = null;
  private downloads: string[] = [];

  constructor(private readonly o: ProfileViewOptions) {}

  get active(): boolean {
    return this.run !== null;
  }

  async start(rate: number): Promise<void> {
    const name = this.o.program.slice(this.o.program.lastIndexOf('/') + 1);
    const run = new PyodideProfileRun({
      createWorker: this.o.nextWorker,
      createTicker: () => new Worker('/pyscope/pyodide/tickerWorker.js', { type: 'module' }),
      profilerSource: this.o.profilerSource,
      program: this.o.program,
      source: this.o.editor.text,
      rate,
      onOutput: (category, text) => log(text, category),
    });
    this.run = run;
    this.o.onActive(true);
    setStatus('starting Python');
    const progress = setInterval(() => {
      const { ticks } = run.counts();
      if (ticks) setStatus(`profiling at ${rate} Hz: ${ticks} samples`);
    }, 250);
    let result: ProfileRunResult;
    try {
      result = await run.done;
    } finally {
      clearInterval(progress);
      this.run = null;
      this.o.onActive(false);
    }
    this.show(result, name, rate);
  }

  /** Ends the program; the profile of what ran so far is still shown. */
  stop(): void {
    this.run?.stop();
  }

  private show(result: ProfileRunResult, name: string, rate: number): void {
    const exit = result.code === null ? 'stopped' : `exit code ${result.code}`;
    log(`\n[program ${result.code === null ? 'stopped' : `exited with code ${result.code}`}]\n`, 'console');
    const p = result.profile;
    if (!p) {
      setStatus(`no profile (${exit})`);
      return;
    }
    const samples = p.total;
    const summary = `${samples} samples at ${rate} Hz over ${(p.meta.duration / 1000).toFixed(2)} s, ${result.missed} missed (${exit})`;
    setStatus(`profiled: ${summary}`);
    // the flame graph is shown all the same: it says "no samples" rather than keeping the last run's graph
    if (samples === 0) log(`[no samples: the program ran ${p.meta.duration.toFixed(0)} ms, too short for ${rate} Hz]\n`, 'console');
    const title = `pyscope profile: ${name} (Pyodide)`;
    const html = flamegraph(p, title);
    $<HTMLIFrameElement>('flame-frame').srcdoc = html;
    $('profile-summary').textContent = summary;
    this.offerDownloads(p, html, name);
    this.o.showTab('profile');
  }

  private offerDownloads(p: Profile, html: string, name: string): void {
    for (const url of this.downloads) URL.revokeObjectURL(url);
    this.downloads = [];
    const stem = name.replace(/\.py$/, '');
    const files: [string, string, string, string][] = [
      ['flame graph', `${stem}.flamegraph.html`, 'text/html', html],
      ['speedscope', `${stem}.speedscope.json`, 'application/json', speedscope(p, 'pyscope')],
      ['collapsed', `${stem}.collapsed.txt`, 'text/plain', collapsed(p)],
    ];
    const box = $('profile-downloads');
    box.textContent = 'download: ';
    for (const [label, file, type, text] of files) {
      const url = URL.createObjectURL(new Blob([text], { type }));
      this.downloads.push(url);
      const a = document.createElement('a');
      a.href = url;
      a.download = file;
      a.textContent = label;
      box.append(a, ' ');
    }
  }
}
