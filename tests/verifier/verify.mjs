// An independent check of Komek's Data Integrity credentials with digitalbazaar's libraries
// (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite, ed25519-multikey).
//
// Reads JSON from stdin (or from the file named by the first argument):
//   {"credential": {...}, "didDocument": {...}, "siteUrl": "https://komek.kz",
//    "statusLists": {"<url>": {...}}, "now": "..."}
// and prints {"verified": bool, "errors": [...], "status": [...]}.
// The document loader serves only the contexts shipped in certification/certificates/contexts/
// (their index.json; a path there is Komek's own context under siteUrl) and the given DID
// document: nothing is fetched.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gunzipSync} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const CONTEXTS = join(here, '..', '..', 'certification', 'certificates', 'contexts');
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

const input = JSON.parse(readFileSync(process.argv[2] || 0, 'utf8'));
const {credential, didDocument, siteUrl = '', statusLists = {}, now} = input;

const index = JSON.parse(readFileSync(join(CONTEXTS, 'index.json'), 'utf8'));
const contexts = new Map(Object.entries(index).map(([url, file]) => [
  url.startsWith('/') ? siteUrl + url : url,
  JSON.parse(readFileSync(join(CONTEXTS, file), 'utf8'))
]));

function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
  }
  const [did, fragment] = url.split('#');
  if(didDocument && did === didDocument.id) {
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: structuredClone(didDocument)};
    }
    const method = (didDocument.verificationMethod || []).find(m => m.id === url);
    if(method) {
      // A verification method on its own, as DID resolvers hand it to the suite.
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': MULTIKEY_CONTEXT, ...structuredClone(method)}
      };
    }
  }
  throw new Error(`Document not available offline: ${url}`);
}

const idOf = value => (typeof value === 'object' ? value.id : value);

// Bitstring Status List v1.0: the entry must be there; with its list given, read its bit. A list
// with a proof must verify and come from the credential's issuer (as DCC's verifiers check).
async function checkStatus({credential}) {
  const entries = [].concat(credential.credentialStatus || []);
  const status = [];
  const errors = [];
  for(const entry of entries) {
    if(entry.type !== 'BitstringStatusListEntry' || !entry.statusListCredential ||
      entry.statusListIndex === undefined || !entry.statusPurpose) {
      errors.push(`Malformed status entry: ${JSON.stringify(entry)}`);
      continue;
    }
    const list = statusLists[entry.statusListCredential];
    if(!list) {
      status.push({purpose: entry.statusPurpose, checked: false});
      continue;
    }
    if(list.proof) {
      const checked = await vc.verifyCredential({
        credential: list,
        suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
        documentLoader
      });
      if(!checked.verified) {
        errors.push(`The status list does not verify: ${entry.statusListCredential}`);
        continue;
      }
      if(idOf(list.issuer) !== idOf(credential.issuer)) {
        errors.push('The status list and the credential have different issuers.');
        continue;
      }
    }
    const subject = list.credentialSubject;
    const bits = gunzipSync(Buffer.from(subject.encodedList.slice(1), 'base64url'));
    const index = Number.parseInt(entry.statusListIndex, 10);
    if(!(index >= 0 && index < bits.length * 8) || subject.statusPurpose !== entry.statusPurpose) {
      errors.push(`Status index ${entry.statusListIndex} is not in the list.`);
      continue;
    }
    // Bit 0 is the most significant bit of the first byte.
    const set = (bits[index >> 3] >> (7 - (index % 8))) & 1;
    status.push({
      purpose: entry.statusPurpose, checked: true, set: Boolean(set), signed: Boolean(list.proof)
    });
    if(set) {
      errors.push(`Credential status: ${entry.statusPurpose}`);
    }
  }
  return {verified: errors.length === 0, status, errors};
}

let result;
try {
  result = await vc.verifyCredential({
    credential,
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    documentLoader,
    checkStatus,
    ...(now ? {now} : {})
  });
} catch(error) {
  result = {verified: false, error};
}

const errors = [];
const collect = error => {
  if(!error) {
    return;
  }
  for(const item of [].concat(error.errors || error)) {
    // jsonld's safe mode names the term or value it refused in details.
    const details = item.details && item.details.event ?
      `: ${JSON.stringify(item.details.event.details || item.details.event)}` : '';
    errors.push(String(item.message || item) + details);
  }
};
collect(result.error);
for(const proof of result.results || []) {
  collect(proof.error);
}
if(result.statusResult) {
  errors.push(...result.statusResult.errors);
}
process.stdout.write(JSON.stringify({
  verified: Boolean(result.verified),
  errors: [...new Set(errors)],
  status: result.statusResult ? result.statusResult.status : []
}) + '\n');
