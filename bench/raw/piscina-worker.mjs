// Raw piscina baseline: one task in, one result out, nothing else.
import { runTask } from './task.mjs'

export default runTask
