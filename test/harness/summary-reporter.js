// Ends the run with one plain line, `N passed, N failed, N skipped`, for tools that read the last line.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`;
    // After Jest's own summary, which its reporter prints in the same tick.
    setImmediate(() => process.stdout.write(line));
  }
}
module.exports = SummaryReporter;
