/** One operation of the OpenAPI document, flattened for tests that walk every route. */
export interface Operation {
  method: string;
  /** OpenAPI template such as `/api/v1/products/{id}`. */
  path: string;
  pathParams: Array<{ name: string; schema: any }>;
  queryParams: string[];
  bodySchema: any | undefined;
  responses: string[];
  secured: boolean;
}

/** Flattens the `/swagger/json` document into one entry per method and path. */
export function listOperations(document: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const parameters: any[] = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((parameter) => parameter.in === "path").map((parameter) => ({ name: parameter.name, schema: parameter.schema })),
        queryParams: parameters.filter((parameter) => parameter.in === "query").map((parameter) => parameter.name),
        bodySchema: operation.requestBody?.content?.["application/json"]?.schema,
        responses: Object.keys(operation.responses ?? {}),
        secured: Array.isArray(operation.security) && operation.security.length > 0,
      });
    }
  }
  return operations;
}

/** The path template's `{name}` parts, which every operation must declare as parameters. */
export function templateParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
}
