/**
 * The command that puts back what one run deleted: `--restore-from` names the run's own
 * journal, so it still undoes that run after later runs of the job (`--restore --jobs` takes
 * the job's last journal, which a later run replaces). Run it from the folder the run ran in
 * (the journal path is as the run saw it) with the same --config-dir. Notifications, reports
 * and the console all print this one form.
 */
export function undoCommand(journal: string): string {
  return `reg-cleaner --restore-from ${shellWord(journal)}`;
}

/** The same command with `--dry-run`: what the restore would put back, writing nothing. */
export function undoPreviewCommand(journal: string): string {
  return `${undoCommand(journal)} --dry-run`;
}

/** A word a POSIX shell reads back unchanged: plain when safe, else single-quoted. */
export function shellWord(text: string): string {
  if (/^[\w./%:@+=-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}
