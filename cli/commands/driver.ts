// PLACEHOLDER: replaced by the owner of this command. Exits 2 so nothing mistakes it for a pass.
import type { RegisterCommand } from '../main.js';
import { EXIT } from '../exit.js';

export const registerDriver: RegisterCommand = (program, setExit) => {
  program.command('driver').description('(not built yet)').action(() => {
    process.stderr.write('linkspec driver: not built yet\n');
    setExit(EXIT.USAGE);
  });
};
