import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { version } from '../version.js'

/** OpenAPI generated from the TypeBox route schemas; must be registered before the routes. */
export default fp(async function swaggerPlugin (app) {
  await app.register(swagger, {
    openapi: {
      info: { title: 'corebench', version, description: 'How much of this machine\'s cores does a workload really use under each concurrency model?' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      tags: [{ name: 'streams', description: 'WebSocket routes. Every frame is one JSON message: components.schemas.StreamMessage lists them all, told apart by `type`' }]
    },
    // Name shared schemas by their $id (Error, Host, …) instead of def-0, def-1.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}, { name: 'swagger' })
