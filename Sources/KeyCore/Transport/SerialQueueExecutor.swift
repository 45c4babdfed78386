import Dispatch

/// A task executor that runs jobs on one serial dispatch queue.
///
/// `URLSessionTransport` delivers a provider's responses on this queue; a
/// listing runs that provider's fetch loop here too, so a response resumes the
/// loop on the thread that received it, where the default executor would wake
/// another thread for every page (about a tenth of a millisecond each).
@available(macOS 15.0, *)
final class SerialQueueExecutor: TaskExecutor {
  /// The queue jobs run on, which URLSession also uses as its delegate queue.
  let queue: DispatchQueue

  init(queue: DispatchQueue) {
    self.queue = queue
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    queue.async { job.runSynchronously(on: executor) }
  }
}
