// Starts the S3 test server: node serve.js DIRECTORY PORT. Listens on 127.0.0.1; keys
// S3RVER/S3RVER; SigV4 signatures are verified (a wrong secret gets SignatureDoesNotMatch).
'use strict';
const S3rver = require('@20minutes/s3rver');
const [directory, port] = process.argv.slice(2);
const server = new S3rver({ directory, port: Number(port), address: '127.0.0.1', silent: true });
server.run((err, info) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log(`s3rver listening on ${info.address}:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
