// Starts the SigV4-checking s3rver fork on 127.0.0.1 for arkiv's tests.
// Usage: node s3rver.js PORT DIRECTORY (with NODE_OPTIONS=--openssl-legacy-provider).
// Exits when its parent (the test program) is gone.
const S3rver = require('@20minutes/s3rver');

const [port, directory] = process.argv.slice(2);
const parent = process.ppid;
new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: true })
  .run()
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000);
