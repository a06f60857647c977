// Lint Cypher statements with Neo4j's own Cypher front end (@neo4j-cypher/language-support):
// its parser and the semantic analysis Neo4j itself runs, for one Cypher version.
//
// stdin:  {"version": "CYPHER 5", "statements": [{"query": "...", "parameters": ["name", ...]}, ...],
//          "labels": [...], "relationshipTypes": [...]}   (labels and types optional)
// stdout: {"package": "<name>@<version>", "version": "CYPHER 5", "functions": n, "procedures": n,
//          "procedureModes": {"db.labels": "READ", ...},
//          "results": [{"query": "...", "statements": n, "diagnostics": [{severity, message, line, column}]}]}
//
// Procedures and functions are Neo4j's core catalogue for that version: the built-in functions and the
// db.*, dbms.* and tx.* procedures of the catalogue the package ships (a dump of a real Neo4j's
// SHOW FUNCTIONS / SHOW PROCEDURES, which also lists plugins: APOC, GDS, CDC; those are left out).
// With a catalogue given, a procedure or function not in it is an error, and so is a wrong YIELD.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const CORE_PROCEDURE_NAMESPACES = ['db.', 'dbms.', 'tx.'];
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function coreCatalogue(version) {
  const functions = Object.fromEntries(
    Object.entries(testData.mockSchema.functions[version] ?? {}).filter(([, fn]) => fn.isBuiltIn),
  );
  const procedures = Object.fromEntries(
    Object.entries(testData.mockSchema.procedures[version] ?? {}).filter(([name]) =>
      CORE_PROCEDURE_NAMESPACES.some((namespace) => name.startsWith(namespace)),
    ),
  );
  return { functions, procedures };
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const version = input.version ?? 'CYPHER 5';
const { functions, procedures } = coreCatalogue(version);
if (!Object.keys(functions).length || !Object.keys(procedures).length) {
  throw new Error(`the package has no function or procedure catalogue for ${version}`);
}

const results = input.statements.map(({ query, parameters }) => {
  const dbSchema = {
    defaultLanguage: version,
    // The linter only asks whether a parameter is declared; its value does not matter.
    parameters: Object.fromEntries((parameters ?? []).map((name) => [name, null])),
    functions: { [version]: functions },
    procedures: { [version]: procedures },
    ...(input.labels ? { labels: input.labels } : {}),
    ...(input.relationshipTypes ? { relationshipTypes: input.relationshipTypes } : {}),
  };
  // The driver sends a statement as it is: console commands (":param ...") are not Cypher.
  const { diagnostics, symbolTables } = lintCypherQuery(query, dbSchema, { consoleCommandsEnabled: false });
  return {
    query,
    statements: symbolTables.length,
    diagnostics: diagnostics.map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    })),
  };
});

const manifest = JSON.parse(
  readFileSync(new URL('./node_modules/@neo4j-cypher/language-support/package.json', import.meta.url), 'utf8'),
);
process.stdout.write(
  JSON.stringify({
    package: `${manifest.name}@${manifest.version}`,
    version,
    functions: Object.keys(functions).length,
    procedures: Object.keys(procedures).length,
    procedureModes: Object.fromEntries(Object.values(procedures).map((p) => [p.name, p.mode])),
    results,
  }),
);
