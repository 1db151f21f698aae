// Raw start-up baseline: a forked child whose whole module is its first message.
process.send({ type: 'ready' })
