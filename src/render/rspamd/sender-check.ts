import { generatedHeader } from '../types.js';
import { DKIM_SIGNING_MAP } from './dkim-signing.js';

/** Where Rspamd's rules/rspamd.lua loads local Lua rules from (every lua.local.d/*.lua). */
export const SENDER_CHECK_PATH = '/etc/rspamd/lua.local.d/mailctl-sender.lua';

/** The name the refusal is logged under (Rspamd's history shows it as the pre-result's module). */
export const SENDER_CHECK_SYMBOL = 'MAILCTL_FORGED_FROM';

/**
 * The header From: check for mail from a logged-in user. Postfix has already held the
 * envelope sender to the login's own addresses (reject_sender_login_mismatch with
 * smtpd_sender_login_maps) and refused <>, so a From: equal to the login or to that
 * envelope sender is one the login owns; anything else is refused with a pre-result
 * `reject`, which the milter turns into a 5xx at the end of DATA, with the reason.
 *
 * A prefilter above SETTINGS_CHECK's priority (symbols_priorities.top): it runs before the
 * settings module, so no recipient's settings (an allow list, should it ever skip the
 * remaining rules) can let a forged From: through. The hosted domains, only to say which
 * kind of address it was, come from the DKIM signing map mailctl keeps.
 */
export function renderSenderCheck(): string {
  return `${generatedHeader('--')}local lua_util = require "lua_util"

local hosted = rspamd_config:add_map({
  type = 'map',
  url = 'file://${DKIM_SIGNING_MAP}',
  description = 'domains hosted here (mailctl: the DKIM signing map)',
})

local function refuse(task, text)
  task:set_pre_result('reject', text, '${SENDER_CHECK_SYMBOL}')
end

local function check_from(task)
  local login = task:get_user()
  if not login then return end
  login = login:lower()
  local owned = { [login] = true }
  local env = task:get_from('smtp')
  if env and env[1] and (env[1].addr or '') ~= '' then owned[env[1].addr:lower()] = true end

  local headers = task:get_header_full('From') or {}
  local from = task:get_from('mime') or {}
  if #headers ~= 1 or #from ~= 1 or (from[1].addr or '') == '' then
    return refuse(task, 'exactly one From: address is required')
  end
  local addr = from[1].addr:lower()
  if owned[addr] then return end

  local domain = (from[1].domain or ''):lower()
  local kind
  if domain == login:match('@(.+)$') then
    kind = 'another mailbox'
  elseif hosted and hosted:get_key(domain) then
    kind = 'an address of another domain hosted here'
  else
    kind = 'an address of a foreign domain'
  end
  refuse(task, string.format('From: <%s> is %s, not an address login <%s> sends as', addr, kind, login))
end

rspamd_config:register_symbol({
  name = '${SENDER_CHECK_SYMBOL}',
  type = 'prefilter',
  callback = check_from,
  priority = lua_util.symbols_priorities.top + 1,
  flags = 'empty,nostat',
})
`;
}
