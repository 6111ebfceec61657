'use strict';

const fs = require('fs');

function readConfig(path) {
  return JSON.parse(fs.readFileSync(path, 'utf8'));
}

function parseArgs(argv) {
  throw new Error("Not implemented");
}

module.exports = { readConfig, parseArgs };
