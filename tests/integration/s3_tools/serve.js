// Starts the S3 test server: node serve.js DIRECTORY PORT. Listens on 127.0.0.1; keys
// S3RVER/S3RVER; SigV4 signatures are verified (a wrong secret gets SignatureDoesNotMatch).
'use strict';
const S3rver = require('@20minutes/s3rver');
const [directory, port] = process.argv.slice(2);
const server = new S3rver({ directory, port: Number(port), address: '127.0.0.1', silent: true });
// AbortMultipartUpload (DELETE /bucket/key?uploadId=ID), which s3rver lacks (it answers 405):
// the upload's parts are deleted, as S3 does. Path-style URLs only; the signature is not checked
// on this one request.
const fs = require('fs');
const path = require('path');
server.middleware.splice(server.middleware.length - 1, 0, async (ctx, next) => {
  const uploadId = ctx.query.uploadId;
  if (ctx.method !== 'DELETE' || typeof uploadId !== 'string' || !/^[0-9a-f]+$/.test(uploadId)) {
    return next();
  }
  const bucket = decodeURIComponent(ctx.path.split('/')[1] || '');
  const dir = path.join(server.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  if (!fs.existsSync(dir)) {
    ctx.status = 404;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code></Error>';
    return;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  ctx.status = 204;
});
server.run((err, info) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  console.log(`s3rver listening on ${info.address}:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
