#include "server/kafka_submit.h"

#include <future>
#include <optional>

#include <nlohmann/json.hpp>

namespace keel::server {
namespace {

std::string ProduceError(rd_kafka_resp_err_t error) {
  return std::string("not acknowledged by the brokers: ") + rd_kafka_err2str(error);
}

// What a delivery's tickets share: how many acknowledgements are missing,
// and whether `done` was called (on the first failure, or the last ack).
class DeliveryState {
 public:
  DeliveryState(size_t count, SubmitDone done) : count_(count), remaining_(count), done_(std::move(done)) {}
  // A ticket dropped unread (the producer destroyed with it in flight)
  // still answers, so no handler waits for ever.
  ~DeliveryState() { Answer(Status::FailedPrecondition("keel is stopping")); }

  void Acknowledged() {
    if (remaining_.fetch_sub(1) == 1) Answer(std::vector<AppendResult>(count_, {AppendOutcome::kAppended, 0, {}}));
  }
  void Failed(Status why) { Answer(std::move(why)); }

 private:
  void Answer(SubmitOutcome outcome) {
    if (answered_.exchange(true)) return;
    done_(std::move(outcome));
  }

  const size_t count_;
  std::atomic<size_t> remaining_;
  std::atomic<bool> answered_{false};
  SubmitDone done_;
};

class EventTicket : public DeliveryTicket {
 public:
  explicit EventTicket(std::shared_ptr<DeliveryState> state) : state_(std::move(state)) {}
  void Delivered(rd_kafka_resp_err_t error) override {
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) {
      state_->Acknowledged();
    } else {
      state_->Failed(Status::IOError(ProduceError(error)));
    }
  }

 private:
  std::shared_ptr<DeliveryState> state_;
};

class LetterTicket : public DeliveryTicket {
 public:
  explicit LetterTicket(std::shared_ptr<std::promise<rd_kafka_resp_err_t>> acked) : acked_(std::move(acked)) {}
  // Dropped unread (the producer destroyed with it in flight): answered too.
  ~LetterTicket() override {
    if (!delivered_) acked_->set_value(RD_KAFKA_RESP_ERR__DESTROY);
  }
  void Delivered(rd_kafka_resp_err_t error) override {
    delivered_ = true;
    acked_->set_value(error);
  }

 private:
  std::shared_ptr<std::promise<rd_kafka_resp_err_t>> acked_;
  bool delivered_ = false;
};

}  // namespace

Result<std::unique_ptr<KafkaSubmit>> KafkaSubmit::Create(const KafkaSubmitOptions& options,
                                                         const SchemaRegistry* schemas) {
  // The ack timeout first, so that the user's producer properties may set it.
  KafkaProperties properties = {{"message.timeout.ms", std::to_string(options.ack_timeout.count())}};
  properties.insert(properties.end(), options.kafka.begin(), options.kafka.end());
  KEEL_ASSIGN_OR_RETURN(KafkaHandle producer, CreateIdempotentProducer(properties));
  return std::unique_ptr<KafkaSubmit>(new KafkaSubmit(options, schemas, std::move(producer)));
}

KafkaSubmit::KafkaSubmit(const KafkaSubmitOptions& options, const SchemaRegistry* schemas, KafkaHandle producer)
    : options_(options), decoder_(schemas, options.decode), producer_(std::move(producer)), poller_([this] { PollLoop(); }) {}

KafkaSubmit::~KafkaSubmit() {
  // What is in flight gets its acknowledgement (or its timeout) before the
  // poller stops; the producer's deleter drops whatever is left.
  rd_kafka_flush(producer_.get(), static_cast<int>(options_.ack_timeout.count()));
  stop_.store(true);
  poller_.join();
}

void KafkaSubmit::PollLoop() {
  while (!stop_.load()) rd_kafka_poll(producer_.get(), 100);
}

bool KafkaSubmit::Decode(const std::vector<std::string>& events, std::vector<std::string>* keys,
                         std::vector<AppendResult>* results) {
  std::vector<Event> decoded;
  if (!decoder_.DecodeAll(events, "produced", &decoded, results)) return false;
  for (Event& event : decoded) keys->push_back(std::move(event.workspace));
  return true;
}

void KafkaSubmit::Submit(std::vector<std::string> events, SubmitDone done) {
  if (events.empty()) return done(std::vector<AppendResult>());
  std::vector<std::string> keys;
  std::vector<AppendResult> refused;
  if (!Decode(events, &keys, &refused)) return done(std::move(refused));
  auto state = std::make_shared<DeliveryState>(events.size(), std::move(done));
  for (size_t i = 0; i < events.size(); ++i) {
    rd_kafka_resp_err_t error =
        Produce(producer_.get(), options_.input_topic, keys[i], events[i], {}, new EventTicket(state));
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    // The events produced before this one may still arrive: harmless, the
    // tool's retry produces the same ids and the partition keeps each once.
    if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      state->Failed(Status::ResourceExhausted("the producer's queue is full"));
    } else {
      state->Failed(Status::IOError(std::string("cannot produce to ") + options_.input_topic + ": " +
                                    rd_kafka_err2str(error)));
    }
    return;
  }
}

Status KafkaSubmit::ProduceDeadLetter(const webhooks::DeadLetter& letter) {
  nlohmann::ordered_json json = {{"id", letter.id},         {"endpoint", letter.endpoint},
                                 {"delivery", letter.delivery}, {"received", letter.received},
                                 {"reason", letter.reason}, {"headers", letter.headers},
                                 {"body", letter.body}};
  auto acked = std::make_shared<std::promise<rd_kafka_resp_err_t>>();
  std::future<rd_kafka_resp_err_t> answer = acked->get_future();
  KafkaHeaders headers = {{"keel_reason", letter.reason}, {"keel_endpoint", letter.endpoint}};
  rd_kafka_resp_err_t error = Produce(producer_.get(), options_.dead_letter_topic, letter.endpoint, json.dump(),
                                      headers, new LetterTicket(acked));
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) error = answer.get();
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
  if (error == RD_KAFKA_RESP_ERR__QUEUE_FULL) return Status::ResourceExhausted("the producer's queue is full");
  return Status::IOError("dead letter " + ProduceError(error));
}

}  // namespace keel::server
