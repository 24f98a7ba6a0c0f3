#!/usr/bin/env node
import { addApprovalsCommands } from './commands/approvals.js';
import { addAuditCommands } from './commands/audit.js';
import { addAuthCommands } from './commands/auth.js';
import { addDevCommands } from './commands/dev.js';
import { addDirectoryCommands } from './commands/directory.js';
import { addPoliciesCommands } from './commands/policies.js';
import { addRequestsCommands } from './commands/requests.js';
import { addServeCommand } from './commands/serve.js';
import { addTenantCommands } from './commands/tenant.js';
import { addWebhooksCommands } from './commands/webhooks.js';
import { createProgram, runProgram } from './program.js';

// Each command group lives in ./commands/<group>.ts and adds itself here, in --help order.
const program = createProgram();
addServeCommand(program);
addAuthCommands(program);
addRequestsCommands(program);
addApprovalsCommands(program);
addPoliciesCommands(program);
addDirectoryCommands(program);
addAuditCommands(program);
addWebhooksCommands(program);
addTenantCommands(program);
addDevCommands(program);

await runProgram(program, process.argv);
