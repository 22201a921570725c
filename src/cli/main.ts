import { main } from './program.js';

// What mailctl creates (directories on the way to a rendered file, files its child
// processes such as apt-get and maintainer scripts make) must not depend on the umask of
// the login it runs under: login.defs gives root's sessions 027, under which a new
// directory would be closed to the daemons that read inside it.
process.umask(0o022);
process.exitCode = await main(process.argv.slice(2));
