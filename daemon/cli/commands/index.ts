/** Every `kith` command, in the order `kith --help` lists them. */
import type { Command } from '../Command.js'
import { daemonCommand, startCommand, stopCommand, statusCommand } from './lifecycle.js'
import { initCommand, lockCommand, vaultListCommand, vaultCreateCommand } from './vault.js'
import { unlockCommand, passwordChangeCommand } from './unlock.js'
import {
  factorsCommand,
  factorsAddCommand,
  factorsConfirmCommand,
  factorsRemoveCommand,
  factorsRenameCommand,
  factorsLogCommand
} from './factors.js'
import { importCommand, exportCommand, migrateCommand, destroyCommand } from './transfers.js'
import {
  addCommand,
  listCommand,
  getCommand,
  showCommand,
  editCommand,
  rmCommand,
  restoreCommand,
  totpCommand,
  generateCommand
} from './items.js'
import { historyCommand, historyRestoreCommand } from './history.js'
import { attachCommand, attachmentGetCommand, attachmentRmCommand } from './attachments.js'
import { trashEmptyCommand, trashAutoPurgeCommand } from './trash.js'
import { openCommand } from './open.js'
import { healthCommand } from './health.js'
import { configCommand, configSetCommand, configUnsetCommand } from './config.js'
import { serviceInstallCommand, serviceUninstallCommand, serviceStatusCommand } from './service.js'
import { completionCommand } from './completion.js'
import { backupPeerCommand, backupAddCommand } from './backup.js'
import {
  pairInviteCommand,
  pairJoinCommand,
  pairPendingCommand,
  pairApproveCommand,
  pairDenyCommand,
  devicesCommand,
  devicesRevokeCommand,
  devicesGrantCommand,
  devicesUngrantCommand
} from './devices.js'

export const COMMANDS: Command[] = [
  daemonCommand,
  startCommand,
  stopCommand,
  statusCommand,
  configCommand,
  configSetCommand,
  configUnsetCommand,
  initCommand,
  unlockCommand,
  lockCommand,
  passwordChangeCommand,
  factorsCommand,
  factorsAddCommand,
  factorsConfirmCommand,
  factorsRemoveCommand,
  factorsRenameCommand,
  factorsLogCommand,
  vaultListCommand,
  vaultCreateCommand,
  addCommand,
  listCommand,
  getCommand,
  showCommand,
  editCommand,
  rmCommand,
  restoreCommand,
  historyCommand,
  historyRestoreCommand,
  attachCommand,
  attachmentGetCommand,
  attachmentRmCommand,
  trashEmptyCommand,
  trashAutoPurgeCommand,
  totpCommand,
  generateCommand,
  healthCommand,
  importCommand,
  exportCommand,
  migrateCommand,
  destroyCommand,
  pairInviteCommand,
  pairJoinCommand,
  pairPendingCommand,
  pairApproveCommand,
  pairDenyCommand,
  devicesCommand,
  devicesRevokeCommand,
  devicesGrantCommand,
  devicesUngrantCommand,
  backupPeerCommand,
  backupAddCommand,
  openCommand,
  serviceInstallCommand,
  serviceUninstallCommand,
  serviceStatusCommand,
  completionCommand(() => COMMANDS)
]
