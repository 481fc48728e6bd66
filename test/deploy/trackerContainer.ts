/**
 * One process of the tracker's image as a deployment file starts it: the avt arguments after the image's
 * entrypoint (`worker --ai-source chatgpt`, `serve`, ...) and the environment it gets (ConfigMaps and Secrets
 * resolved to the example values in the files).
 */
export interface TrackerContainer {
  /** Where the deployment files say it, for messages. */
  where: string;
  args: string[];
  env: Record<string, string>;
}
