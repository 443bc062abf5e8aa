export declare const SCHEMA: string
export declare const OUT: string
export declare function compileSchema(): string
