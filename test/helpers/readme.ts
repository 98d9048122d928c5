/**
 * The shell commands of one README section: every line of its ```sh blocks, as written (comments
 * and blank lines left out), so a test runs what a reader would copy.
 */
export function readmeCommands(readme: string, section: string): string[] {
  const start = readme.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`the README has no section "## ${section}"`);
  const end = readme.indexOf('\n## ', start + 1);
  const body = readme.slice(start, end < 0 ? undefined : end);
  const commands: string[] = [];
  for (const block of body.matchAll(/```sh\n([\s\S]*?)```/g))
    for (const line of block[1].split('\n'))
      if (line.trim() !== '' && !line.trim().startsWith('#')) commands.push(line.trim());
  return commands;
}
