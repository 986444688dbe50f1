/** What entities need to build absolute URLs; passed in so entities stay free of I/O. */
export interface RenderContext {
  externalUrl: string;
}
