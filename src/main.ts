// The bundle's entry for bin/run.js: oclif's runner, sharing one copy of @oclif/core with the commands.
export {execute} from '@oclif/core/execute'
