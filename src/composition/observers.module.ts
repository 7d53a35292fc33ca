import { ContainerModule } from 'inversify';
import { RunObserver } from '../application/ports/run-observer.port.js';
import { RunEvents } from '../application/run-events.js';
import {
  ProgressObserver,
  ProgressTerminal,
  processTerminal,
} from '../adapters/progress/progress.observer.js';
import {
  ConsoleTableObserver,
  ReportStream,
  type TextSink,
} from '../adapters/reports/console-table.observer.js';
import { GitHubActions, wantsStepResults } from '../adapters/reports/github/github-actions.js';
import { GitHubStepResults } from '../adapters/reports/github/step-results.observer.js';
import { ReportFilesObserver } from '../adapters/reports/report-files.observer.js';
import { reportLocator } from '../adapters/reports/report-locator.js';
import { ReportsSettings } from '../adapters/reports/reports-settings.js';
import { LatestRuns } from '../adapters/shared/latest-runs.js';
import { reportsLatestRuns } from '../adapters/reports/latest-runs.js';
import { NO_REPORTS, ReportLocator } from '../adapters/shared/report-location.js';
import { consoleLines } from '../adapters/shared/text/console-lines.js';

export interface ObserverOptions {
  /** Where the console table goes (process.stdout). */
  readonly reportStream: TextSink;
  readonly reports?: ReportsSettings | undefined;
  readonly github?: GitHubActions | undefined;
  /** Metrics settings: their watch page may serve the reports folder. */
  readonly metrics?: { readonly reportsPage?: boolean } | undefined;
}

/**
 * What a run shows while and after it runs: the console table, the progress line, report
 * files, GitHub step results. Each is one more RunObserver; RunEvents hands every event to all.
 */
export function observersModule(options: ObserverOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    // The table passes ConsoleLines: a live progress line on the same terminal steps aside.
    bind(ReportStream).toConstantValue({
      write: (text: string) => {
        consoleLines.write(options.reportStream, text);
      },
    });
    bind(RunObserver).to(ConsoleTableObserver).inSingletonScope();
    bind(ProgressTerminal).toConstantValue(processTerminal);
    bind(RunObserver).to(ProgressObserver).inSingletonScope();
    if (options.reports !== undefined && options.reports.formats.length > 0) {
      bind(ReportsSettings).toConstantValue(options.reports);
      bind(RunObserver).to(ReportFilesObserver).inSingletonScope();
      // Notifications name the report the writer above is writing.
      bind(ReportLocator).toConstantValue(reportLocator(options.reports));
      // The watch page of the metrics listener reads and serves the reports folder.
      if (options.metrics?.reportsPage === true) {
        bind(LatestRuns).toConstantValue(reportsLatestRuns(options.reports));
      }
    } else {
      bind(ReportLocator).toConstantValue(NO_REPORTS);
    }
    if (options.github !== undefined && wantsStepResults(options.github)) {
      bind(GitHubActions).toConstantValue(options.github);
      bind(GitHubStepResults).toSelf().inSingletonScope();
      bind(RunObserver).toService(GitHubStepResults);
    }
    bind(RunEvents).toSelf().inSingletonScope();
  });
}
