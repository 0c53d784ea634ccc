// The SDK warns once per process that its 2027 releases will need Node.js 22; this machine runs
// Node.js 20 and the Lambdas run 24, so the warning is noise in every test's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
