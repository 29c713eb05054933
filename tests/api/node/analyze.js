// Runs the npm perspective-api-client, unchanged, against the server at CIVILITY_URL.
// The client's endpoint is a constant inside the package, so the only change is the one a
// publisher would make: send axios requests for Google's host to our host instead.
'use strict';
const axios = require('axios');
const Perspective = require('perspective-api-client');

const base = process.env.CIVILITY_URL;
axios.interceptors.request.use(config => {
  config.url = config.url.replace('https://commentanalyzer.googleapis.com', base);
  config.proxy = false;
  return config;
});

async function main() {
  const client = new Perspective({apiKey: process.env.CIVILITY_KEY});
  const out = {};
  out.insult = await client.analyze(process.env.INSULT, {attributes: ['toxicity', 'insult']});
  out.html = await client.analyze('<p>' + process.env.FRIENDLY + '</p>');
  try {
    await client.analyze('', {validate: false});
    out.empty = 'no error';
  } catch (error) {
    out.empty = {name: error.name, message: error.message, status: error.response.status};
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch(error => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
