const { shout } = require("./helpers");

function greet(name) {
  return shout("hello " + name);
}

module.exports = { greet };
