// Runs argocd/health.lua as Argo CD does: the resource as the global `obj`, the script's returned
// table read as { status, message }. fengari is Lua 5.3 where Argo CD has 5.1; the script uses
// nothing that differs between them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lauxlib, lua, lualib, to_luastring, type LuaState } from 'fengari';
import { repoRoot } from './repo-paths.ts';

export interface ArgoHealth {
  status: string;
  message: string;
}

function push(L: LuaState, value: unknown): void {
  if (value === null || value === undefined) lua.lua_pushnil(L);
  else if (typeof value === 'string') lua.lua_pushstring(L, to_luastring(value));
  else if (typeof value === 'number') (Number.isInteger(value) ? lua.lua_pushinteger : lua.lua_pushnumber)(L, value);
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value);
  else if (Array.isArray(value)) {
    lua.lua_newtable(L);
    value.forEach((item, i) => { push(L, item); lua.lua_seti(L, -2, i + 1); });
  } else {
    lua.lua_newtable(L);
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  }
}

function field(L: LuaState, name: string): string {
  lua.lua_getfield(L, -1, to_luastring(name));
  const value = lua.lua_isnil(L, -1) ? '' : lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 1);
  return value;
}

/** The health Argo CD would show for the resource. */
export async function argoHealth(obj: unknown): Promise<ArgoHealth> {
  const script = await readFile(join(repoRoot, 'argocd', 'health.lua'), 'utf8');
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  push(L, obj);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`argocd/health.lua failed: ${lua.lua_tojsstring(L, -1)}`);
  }
  return { status: field(L, 'status'), message: field(L, 'message') };
}
