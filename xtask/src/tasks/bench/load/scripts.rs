//! wrk's Lua scripts for the requests that carry a body: a sign-in, and a
//! refresh that trades each token for the next one.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;

use crate::service::Account;

/// A script that signs `account` in, again and again.
pub fn sign_in(dir: &Path, name: &str, account: &Account<'_>) -> anyhow::Result<PathBuf> {
    let body = json!({"email": account.email, "password": account.password});
    let script = format!(
        "wrk.method = \"POST\"\n\
         wrk.path = \"/v1/auth/login\"\n\
         wrk.headers[\"Content-Type\"] = \"application/json\"\n\
         wrk.body = {}\n",
        long_string(&body.to_string())
    );
    write(dir, name, &script)
}

/// A script that refreshes the sessions of `tokens`, each response's new
/// token replacing the one it was sent for. Each of wrk's `threads` takes
/// its share; a connection has one request in flight at a time, so a share
/// at least as large as a thread's connections never runs dry.
pub fn refresh(dir: &Path, name: &str, tokens: &[String], threads: u32) -> anyhow::Result<PathBuf> {
    let listed: Vec<String> = tokens.iter().map(|token| long_string(token)).collect();
    let script = format!(
        "local tokens = {{ {} }}\n\
         local threads = {threads}\n\
         local started = 0\n\
         function setup(thread)\n\
         \x20 thread:set(\"id\", started)\n\
         \x20 started = started + 1\n\
         end\n\
         function init(args)\n\
         \x20 queue = {{}}\n\
         \x20 for i, token in ipairs(tokens) do\n\
         \x20   if (i - 1) % threads == id then queue[#queue + 1] = token end\n\
         \x20 end\n\
         end\n\
         function request()\n\
         \x20 local token = table.remove(queue) or \"ran-dry\"\n\
         \x20 return wrk.format(\"POST\", \"/v1/auth/refresh\",\n\
         \x20   {{[\"Content-Type\"] = \"application/json\"}},\n\
         \x20   '{{\"refreshToken\":\"' .. token .. '\"}}')\n\
         end\n\
         function response(status, headers, body)\n\
         \x20 local token = body:match('\"refreshToken\"%s*:%s*\"([^\"]+)\"')\n\
         \x20 if status == 200 and token then queue[#queue + 1] = token end\n\
         end\n",
        listed.join(", ")
    );
    write(dir, name, &script)
}

/// `text` as a Lua long string, which needs no escapes.
fn long_string(text: &str) -> String {
    let mut level = String::new();
    while text.contains(&format!("]{level}]")) {
        level.push('=');
    }
    format!("[{level}[{text}]{level}]")
}

fn write(dir: &Path, name: &str, script: &str) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    fs::write(&path, script).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::long_string;

    #[test]
    fn a_long_string_is_never_closed_by_its_text() {
        assert_eq!(long_string("plain"), "[[plain]]");
        assert_eq!(long_string("a]]b"), "[=[a]]b]=]");
        assert_eq!(long_string("a]]b]=]c"), "[==[a]]b]=]c]==]");
    }
}
