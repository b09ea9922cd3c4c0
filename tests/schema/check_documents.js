#!/usr/bin/env node
// Validates GraphQL documents against Shopify's Admin API schema (introspection dump):
// graphql.validate for the document, getVariableValues for its example variables, and the
// operation name. Input: a JSON array [{operation, query, variables}] from a file.
//   check_documents.js SCHEMA.json.gz DOCS.json                 -> every document must be valid
//   check_documents.js SCHEMA.json.gz DOCS.json --expect-invalid -> every document must be refused
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const { buildClientSchema, parse, validate, getOperationAST, typeFromAST, isInputType } = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const [schemaPath, docsPath, mode] = process.argv.slice(2);
if (!schemaPath || !docsPath) {
  console.error('usage: check_documents.js SCHEMA.json.gz DOCS.json [--expect-invalid]');
  process.exit(2);
}
const expectInvalid = mode === '--expect-invalid';
const raw = zlib.gunzipSync(fs.readFileSync(schemaPath));
const intro = JSON.parse(raw);
const schema = buildClientSchema(intro.data || intro);
const docs = JSON.parse(fs.readFileSync(docsPath, 'utf8'));

function problems(d) {
  let ast;
  try {
    ast = parse(d.query);
  } catch (e) {
    return [`syntax: ${e.message}`];
  }
  const errs = validate(schema, ast).map((e) => e.message);
  if (errs.length) return errs;
  const op = getOperationAST(ast, d.operation);
  if (!op) return [`no operation named ${d.operation}`];
  if (!op.name || op.name.value !== d.operation) return [`operation name mismatch: ${d.operation}`];
  const vars = getVariableValues(schema, op.variableDefinitions || [], d.variables || {});
  if (vars.errors) return vars.errors.map((e) => `variables: ${e.message}`);
  // Unused variables would be silently accepted by getVariableValues: catch typos.
  const declared = new Set((op.variableDefinitions || []).map((v) => v.variable.name.value));
  const extra = Object.keys(d.variables || {}).filter((k) => !declared.has(k));
  if (extra.length) return [`variables not declared by the operation: ${extra.join(', ')}`];
  return [];
}

let failed = 0;
for (const d of docs) {
  const p = problems(d);
  const ok = p.length === 0;
  if (ok === !expectInvalid) {
    console.log(`ok   ${d.operation}${expectInvalid ? ' refused: ' + p[0] : ''}`);
  } else {
    failed++;
    console.log(`FAIL ${d.operation}: ${ok ? 'accepted but must be refused' : p.join('; ')}`);
  }
}
console.log(`${docs.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
