export declare const CORE_LAYERS: Record<string, string[]>;
/** Returns a message when `fromRel` (a repo-relative path) may not import `source`, else null. */
export declare function checkImport(fromRel: string, source: string): string | null;
declare const plugin: { rules: Record<string, unknown> };
export default plugin;
