// Node warnings (deprecations, unhandled rejections turned warnings) fail the test run:
// a warning in a tool that edits a live relay's config is a bug to fix, not noise.
process.on('warning', (warning) => {
  throw warning;
});
